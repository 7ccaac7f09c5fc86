// The client's own messages (the bridge writes the others, in its `detail`): French by
// default, as the bridge answers, English on request (`new CardBridge({language: "en"})`)
// or when the browser's language is English.

export type Language = "fr" | "en";

/** The page's language as the client speaks it: English when the browser's
 * (`navigator.language`) is English (`en`, `en-GB`…), else French. */
export function browserLanguage(): Language {
  const tag = typeof navigator === "undefined" ? "" : (navigator.language ?? "");
  return tag.toLowerCase().split("-")[0] === "en" ? "en" : "fr";
}

const MESSAGES = {
  fr: {
    unreachable:
      "Le module des cartes (cardbridge) ne répond pas à {origin}. Vérifiez qu'il est démarré " +
      "sur ce poste (icône ou `cardbridge doctor`), puis réessayez.",
    window_blocked:
      "Le navigateur a bloqué la fenêtre d'accord de cardbridge. Autorisez les fenêtres " +
      "surgissantes pour ce site, puis cliquez de nouveau.",
    refused: "Vous avez refusé la demande dans la fenêtre de cardbridge.",
    expired: "La demande a expiré avant votre réponse. Recommencez et répondez dans les 2 minutes.",
    cancelled: "La fenêtre de cardbridge a été fermée sans réponse. Recommencez si besoin.",
    unexpected:
      "cardbridge a répondu d'une façon inattendue (HTTP {status}). Réessayez ; si cela " +
      "continue, lancez `cardbridge doctor` sur ce poste.",
    no_token:
      "cardbridge a accepté la connexion sans donner de jeton. Réessayez ; si cela continue, " +
      "mettez cardbridge à jour.",
    no_approval:
      "cardbridge n'a pas demandé votre accord comme prévu. Réessayez ; si cela continue, " +
      "mettez cardbridge ou cette application à jour.",
  },
  en: {
    unreachable:
      "The card bridge (cardbridge) does not answer at {origin}. Check that it runs on this " +
      "workstation (its icon or `cardbridge doctor`), then try again.",
    window_blocked:
      "The browser blocked cardbridge's approval window. Allow pop-up windows for this site, " +
      "then click again.",
    refused: "You refused the request in cardbridge's window.",
    expired: "The request expired before your answer. Start again and answer within 2 minutes.",
    cancelled: "cardbridge's window was closed without an answer. Start again if needed.",
    unexpected:
      "cardbridge answered in an unexpected way (HTTP {status}). Try again; if it goes on, " +
      "run `cardbridge doctor` on this workstation.",
    no_token:
      "cardbridge accepted the login without giving a token. Try again; if it goes on, " +
      "update cardbridge.",
    no_approval:
      "cardbridge did not ask for your approval as expected. Try again; if it goes on, " +
      "update cardbridge or this application.",
  },
} as const;

export type MessageKey = keyof (typeof MESSAGES)["fr"];

/** The client's message `key` in `language`, with `{name}` placeholders filled. */
export function message(
  language: Language,
  key: MessageKey,
  values: Record<string, string> = {},
): string {
  return MESSAGES[language][key].replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? "");
}
