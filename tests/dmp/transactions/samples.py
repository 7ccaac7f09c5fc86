"""The ANS sample messages of the patient and authorization transactions ("DMP_LPS –
Exemple de messages" v02.05.00, docs/dmp-client.md's source MSG): the SOAP bodies'
payloads as bytes, values as published, so that the client's readers and builders are
checked against the national service's own shapes, not against our sandbox. Variants
(EXPIRE, closed, refused…) change one thing of a sample and say which.
"""

from __future__ import annotations

from lxml import etree

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)


def parse(data: bytes) -> etree._Element:
    """An answer's payload from bytes, parsed as the transport does (no entities, no network)."""
    return etree.fromstring(data, _PARSER)


# TD0.2 answer (PRPA_IN201308UV02): VALIDE, treating physician, web account open.
TD02_ANSWER = """
<PRPA_IN201308UV02 ITSVersion="XML_1.0" xmlns="urn:hl7-org:v3" xmlns:ns2="asip:ci-sis:gdp:2010"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <id root="0cc7f660-e7b5-4131-aee3-5ad75c0b32f2"/>
  <creationTime value="20210601125305"/>
  <interactionId extension="PRPA_IN201308UV02" root="2.16.840.1.113883.1.6"/>
  <processingCode code="P"/>
  <processingModeCode code="T"/>
  <acceptAckCode code="NE"/>
  <receiver typeCode="RCV"><device classCode="DEV" determinerCode="INSTANCE">
    <id root="1.3.6.1.4.1.48364"/><softwareName>LPS GIE-SV</softwareName></device></receiver>
  <sender typeCode="SND"><device classCode="DEV" determinerCode="INSTANCE">
    <id root="1.2.250.1.213.4.1.1.1"/><softwareName>DMP</softwareName></device></sender>
  <attentionLine>
    <keyWordText code="AUTORISATION" codeSystem="1.2.250.1.213.4.1.2.6.1"/>
    <value code="VALIDE" codeSystem="1.2.250.1.213.4.1.2.6.2" xsi:type="CV"/>
  </attentionLine>
  <attentionLine>
    <keyWordText code="STATUT_MT" codeSystem="1.2.250.1.213.4.1.2.6.3"/>
    <value value="true" xsi:type="BL"/>
  </attentionLine>
  <acknowledgement typeCode="AA">
    <targetMessage>
      <id extension="1633a409-3d61-4869-aed8-74d92ae20272" root="1.3.6.1.4.1.48364.1.1"/>
    </targetMessage>
  </acknowledgement>
  <controlActProcess classCode="CACT" moodCode="EVN">
    <reasonCode code="TEST_EXST" codeSystem="1.2.250.1.213.1.1.4.11"
        displayName="Test d'existence de dossier"/>
    <subject contextConductionInd="false" typeCode="SUBJ">
      <registrationEvent classCode="REG" moodCode="EVN">
        <statusCode code="completed"/>
        <subject1 typeCode="SBJ">
          <patient classCode="PAT">
            <id extension="1197854176879056415520" root="1.2.250.1.213.1.4.2"/>
            <id extension="207058575627097" root="1.2.250.1.213.1.4.10"/>
            <statusCode code="active"/>
            <patientPerson classCode="PSN" determinerCode="INSTANCE">
              <name><prefix>M</prefix><given>LAURENCE</given>
                <family qualifier="SP">patb-quatre</family></name>
              <telecom value="mailto:alain@gmail.com"/>
              <telecom use="MC" value="tel:0102030405"/>
              <administrativeGenderCode code="M"/>
              <birthTime value="19070525"/>
            </patientPerson>
            <subjectOf typeCode="SBJ">
              <administrativeObservation classCode="OBS" moodCode="EVN">
                <code code="COMPTE_INTERNET_OUVERT" codeSystem="1.2.250.1.213.4.1.2.9"/>
                <value value="true" xsi:type="BL"/>
              </administrativeObservation>
            </subjectOf>
            <subjectOf typeCode="SBJ">
              <administrativeObservation classCode="OBS" moodCode="EVN">
                <code code="RATTACHEMENT_ENS" codeSystem="1.2.250.1.213.4.1.2.3"
                    displayName="information de rattachement du DMP à un ENS"/>
                <value value="false" xsi:type="BL"/>
              </administrativeObservation>
            </subjectOf>
          </patient>
        </subject1>
        <custodian typeCode="CST"><assignedEntity classCode="ASSIGNED">
          <id root="1.2.250.1.213.4.1.1.1"/></assignedEntity></custodian>
      </registrationEvent>
    </subject>
    <queryAck>
      <queryId extension="87d5fd8f-72b2-43bf-938c-0402bf850d25" root="1.3.6.1.4.1.48364.2"/>
      <queryResponseCode code="OK"/>
    </queryAck>
  </controlActProcess>
</PRPA_IN201308UV02>
""".encode()

# TD0.2 request (PRPA_IN201307UV02), for the shape of ours.
TD02_REQUEST = b"""
<urn:PRPA_IN201307UV02 ITSVersion="XML_1.0" xmlns="urn:hl7-org:v3" xmlns:urn="urn:hl7-org:v3">
  <id root="1.3.6.1.4.1.48364.1.1" extension="1633a409-3d61-4869-aed8-74d92ae20272"/>
  <creationTime value="20210519174507"/>
  <interactionId root="2.16.840.1.113883.1.6" extension="PRPA_IN201307UV02"/>
  <processingCode code="D"/>
  <processingModeCode code="T"/>
  <acceptAckCode code="AL"/>
  <receiver typeCode="RCV"><device classCode="DEV" determinerCode="INSTANCE">
    <id root="1.2.250.1.213.4.1.1.1"/><softwareName>DMP</softwareName></device></receiver>
  <sender typeCode="SND"><device classCode="DEV" determinerCode="INSTANCE">
    <id root="1.3.6.1.4.1.48364"/><softwareName>LPS GIE-SV</softwareName></device></sender>
  <attentionLine xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>
  <urn:controlActProcess classCode="CACT" moodCode="EVN">
    <reasonCode code="TEST_EXST" codeSystem="1.2.250.1.213.1.1.4.11"
        displayName="Test d'existence de dossier"/>
    <queryByParameter>
      <queryId root="1.3.6.1.4.1.48364.2" extension="87d5fd8f-72b2-43bf-938c-0402bf850d25"/>
      <statusCode code="new"/>
      <parameterList>
        <dataSource xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>
        <patientIdentifier>
          <value root="1.2.250.1.213.1.4.10" extension="207058575627097"/>
          <semanticsText>Patient.id</semanticsText>
        </patientIdentifier>
      </parameterList>
    </queryByParameter>
  </urn:controlActProcess>
</urn:PRPA_IN201307UV02>
"""

# TD0.5 answer (PRPA_IN201306UV02): one patient, the acknowledgement's typeCode a child.
TD05_ANSWER = b"""
<PRPA_IN201306UV02 ITSVersion="XML_1.0" xmlns="urn:hl7-org:v3"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <id root="152ccd4f-5b37-4401-884e-d4128b9af883"/>
  <creationTime value="20190404100738"/>
  <interactionId extension="PRPA_IN201306UV02" root="2.16.840.1.113883.1.6"/>
  <processingCode code="P"/>
  <processingModeCode code="T"/>
  <acceptAckCode code="NE"/>
  <receiver typeCode="RCV"><device classCode="DEV" determinerCode="INSTANCE">
    <id root="1.3.6.1.4.1.48364"/><softwareName>LPS GIE-SV</softwareName></device></receiver>
  <sender typeCode="SND"><device classCode="DEV" determinerCode="INSTANCE">
    <id root="1.2.250.1.213.4.1.1.1"/><softwareName>DMP</softwareName></device></sender>
  <acknowledgement>
    <typeCode code="AA"/>
    <targetMessage>
      <id extension="1633a409-3d61-4869-aed8-74d92ae20272" root="1.3.6.1.4.1.48364.1.1"/>
    </targetMessage>
  </acknowledgement>
  <controlActProcess classCode="CACT" moodCode="EVN">
    <code code="PRPA_TE201306UV02" codeSystem="2.16.840.1.113883.1.6" xsi:type="CS"/>
    <subject contextConductionInd="false" typeCode="SUBJ">
      <registrationEvent classCode="REG" moodCode="EVN">
        <statusCode code="active"/>
        <subject1 typeCode="SBJ">
          <patient classCode="PAT">
            <id extension="157069329642881" root="1.2.250.1.213.1.4.10"/>
            <id extension="1418878867934420256667" root="1.2.250.1.213.1.4.2"/>
            <statusCode code="active"/>
            <patientPerson classCode="PSN" determinerCode="INSTANCE">
              <name><prefix>Mme</prefix><given>IRENE</given>
                <family qualifier="SP">ENCHAINE</family>
                <family qualifier="BR">DECHAINE</family></name>
              <administrativeGenderCode code="F"/>
              <birthTime value="19570628"/>
              <addr><city>SECLIN</city><postalCode>59113</postalCode></addr>
            </patientPerson>
            <subjectOf1 typeCode="SBJ">
              <queryMatchObservation classCode="COND" moodCode="EVN">
                <code code="POURCENTAGE" xsi:type="CS"/>
                <value value="100" xsi:type="INT"/>
              </queryMatchObservation>
            </subjectOf1>
            <subjectOf2>
              <administrativeObservation>
                <code code="OPPOSITION_ACCES_URGENCE" codeSystem="1.2.250.1.213.4.1.2.3"
                    displayName="opposition au mode Urgence"/>
                <value value="false" xsi:type="BL"/>
              </administrativeObservation>
            </subjectOf2>
          </patient>
        </subject1>
        <custodian typeCode="CST"><assignedEntity classCode="ASSIGNED">
          <id root="1.2.250.1.213.4.1.1.1"/></assignedEntity></custodian>
      </registrationEvent>
    </subject>
    <queryAck>
      <queryId extension="654654" root="1.2.250.1.999.1.1.356.4"/>
      <queryResponseCode code="OK"/>
      <resultTotalQuantity value="1"/>
      <resultCurrentQuantity value="1"/>
      <resultRemainingQuantity value="0"/>
    </queryAck>
  </controlActProcess>
</PRPA_IN201306UV02>
"""

# TD0.3 request and answer (setAuthorization), every element qualified.
TD03_REQUEST = b"""<setAuthorization xmlns="urn:si-dmp-habilitations">
  <action>AJOUT</action></setAuthorization>"""
TD03_ANSWER = """
<ns1:setAuthorizationResponse xmlns:ns1="urn:si-dmp-habilitations">
  <ns1:output>
    <ns1:status>DMPOk</ns1:status>
    <ns1:context>Autorisation déjà présente aucune action effectuée</ns1:context>
  </ns1:output>
</ns1:setAuthorizationResponse>
""".encode()

# TD0.4 request and answer (patientList): two DMPs, the INS-C listed before the INS.
TD04_REQUEST = b"""<patientList xmlns="urn:si-dmp-patients">
  <startDate>20101010202010</startDate><dateType>LASTDOC</dateType></patientList>"""
TD04_ANSWER = b"""
<ns1:patientListResponse xmlns:ns1="urn:si-dmp-patients"
    xmlns:ns2="urn:com:santeos:dmp:patient:2010">
  <ns1:output>
    <ns1:patientlistData>
      <ns1:patientIdentifier>
        <ns1:nationalId>0740724093302701701806</ns1:nationalId>
        <ns1:nationalIdType>1.2.250.1.213.1.4.2</ns1:nationalIdType>
      </ns1:patientIdentifier>
      <ns1:patientIdentifier>
        <ns1:nationalId>153078987658513</ns1:nationalId>
        <ns1:nationalIdType>1.2.250.1.213.1.4.10</ns1:nationalIdType>
      </ns1:patientIdentifier>
      <ns1:lastName>PAT-TROIS</ns1:lastName>
      <ns1:firstName>DOMINIQUE</ns1:firstName>
      <ns1:dateOfBirth>19790328</ns1:dateOfBirth>
      <ns1:MT>false</ns1:MT>
      <ns1:message>false</ns1:message>
      <ns1:lastAccessDate>20210601094105</ns1:lastAccessDate>
      <ns1:lastUpdateDate>20210525134738</ns1:lastUpdateDate>
      <ns1:lastAddDate>20210525134735</ns1:lastAddDate>
    </ns1:patientlistData>
    <ns1:patientlistData>
      <ns1:patientIdentifier>
        <ns1:nationalId>1197854176879056415520</ns1:nationalId>
        <ns1:nationalIdType>1.2.250.1.213.1.4.2</ns1:nationalIdType>
      </ns1:patientIdentifier>
      <ns1:patientIdentifier>
        <ns1:nationalId>207058575627097</ns1:nationalId>
        <ns1:nationalIdType>1.2.250.1.213.1.4.10</ns1:nationalIdType>
      </ns1:patientIdentifier>
      <ns1:lastName>patb-quatre</ns1:lastName>
      <ns1:firstName>LAURENCE</ns1:firstName>
      <ns1:dateOfBirth>19070525</ns1:dateOfBirth>
      <ns1:MT>true</ns1:MT>
      <ns1:message>false</ns1:message>
      <ns1:lastAccessDate>20210521101631</ns1:lastAccessDate>
      <ns1:lastUpdateDate>20210506124503</ns1:lastUpdateDate>
      <ns1:lastAddDate>20210521101631</ns1:lastAddDate>
    </ns1:patientlistData>
    <ns1:status>DMPOk</ns1:status>
  </ns1:output>
</ns1:patientListResponse>
"""

# TD1.6 request and answer (listAuthorizationByPatient).
TD16_REQUEST = b"""<listAuthorizationByPatient xmlns="urn:si-dmp-habilitations">
  <mode>TOUTE</mode></listAuthorizationByPatient>"""
TD16_ANSWER = """
<ns1:listAuthorizationByPatientResponse xmlns:ns1="urn:si-dmp-habilitations">
  <ns1:output>
    <ns1:listOfAuthorizationByPatient>
      <ns1:nationalId>899900063480</ns1:nationalId>
      <ns1:nationalIdType>1.2.250.1.71.4.2.1</ns1:nationalIdType>
      <ns1:firstName>MAX</ns1:firstName>
      <ns1:lastName>LIBRE</ns1:lastName>
      <ns1:codeSpeciality>G15_10/SM26</ns1:codeSpeciality>
      <ns1:libSpeciality>Médecin - Qualifié en Médecine générale (SM)</ns1:libSpeciality>
      <ns1:startOfAuthorization>20210601135804</ns1:startOfAuthorization>
      <ns1:lastActionDate>20210601140606</ns1:lastActionDate>
      <ns1:mode>ACTIVE</ns1:mode>
    </ns1:listOfAuthorizationByPatient>
    <ns1:status>DMPOk</ns1:status>
    <ns1:context/>
  </ns1:output>
</ns1:listAuthorizationByPatientResponse>
""".encode()


def variant(sample: bytes, old: bytes, new: bytes) -> bytes:
    """``sample`` with ``old`` (which must occur exactly once) replaced by ``new``."""
    assert sample.count(old) == 1, old
    return sample.replace(old, new)


def shape(element: etree._Element) -> list[tuple[str, str]]:
    """An element tree as (tag, text) pairs in document order, comments left out: the
    shape two messages share when they differ only by ids, times and attribute values."""
    return [
        (str(node.tag), (node.text or "").strip())
        for node in element.iter()
        if isinstance(node.tag, str)
    ]


def elements(
    element: etree._Element, generated: frozenset[tuple[str, str]] = frozenset()
) -> list[tuple[str, str, dict[str, str]]]:
    """An element tree as (tag, text, attributes) in document order, comments left out:
    what two messages share element by element. ``generated`` names the (local tag,
    attribute) pairs each message makes anew (ids, times), left out of the attributes."""
    return [
        (
            str(node.tag),
            (node.text or "").strip(),
            {
                str(name): value
                for name, value in node.attrib.items()
                if (etree.QName(node).localname, str(name)) not in generated
            },
        )
        for node in element.iter()
        if isinstance(node.tag, str)
    ]
