// What the DMP sections share: the patient identified, their DMP's status, the access
// opened, and the offline DMP's patient pages. Each DMP section renders itself from it.

export const dmp = {
  patient: null, // {selector, reference, vitaleSerial}
  status: null, // GET /v1/dmp/status, or null
  statusError: null, // why the status could not be read (an ApiError), or null
  grant: null, // POST /v1/dmp/access answer for this patient, or null
  patientPages: null, // the offline DMP's patient pages (GET /v1/health), or null
};

const listeners = [];

/** Call `render()` after every change of the DMP state. */
export function onDmpChange(render) {
  listeners.push(render);
}

export function dmpChanged(changes = {}) {
  Object.assign(dmp, changes);
  for (const render of listeners) render();
}

/** The identified patient's INS matricule, or null. */
export const patientIns = () => dmp.patient?.reference.ins?.value ?? null;

/** Whether the DMP of the identified patient is open in this page (access granted). */
export const dmpOpen = () => Boolean(dmp.grant && patientIns());

/** The practice situation chosen for the DMP (the access form's). */
export const chosenSituation = () =>
  Number(document.getElementById("access-situation").value || 0);
