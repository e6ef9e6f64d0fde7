// SPDX-License-Identifier: MIT
// Every OID the NuGet signature format uses (spec §1), cross-checked against NuGet.Client's Oids.cs.

export const OID = {
  signedData: '1.2.840.113549.1.7.2',
  data: '1.2.840.113549.1.7.1',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  countersignature: '1.2.840.113549.1.9.6',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  commitmentTypeIndication: '1.2.840.113549.1.9.16.2.16',
  proofOfOrigin: '1.2.840.113549.1.9.16.6.1',
  proofOfReceipt: '1.2.840.113549.1.9.16.6.2',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  nugetV3ServiceIndexUrl: '1.3.6.1.4.1.311.84.2.1.1.1',
  nugetPackageOwners: '1.3.6.1.4.1.311.84.2.1.1.2',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  codeSigningEku: '1.3.6.1.5.5.7.3.3',
  timeStampingEku: '1.3.6.1.5.5.7.3.8',
  lifetimeSigningEku: '1.3.6.1.4.1.311.10.3.13',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  extendedKeyUsage: '2.5.29.37',
  commonName: '2.5.4.3',
  countryName: '2.5.4.6',
  localityName: '2.5.4.7',
  stateOrProvinceName: '2.5.4.8',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  emailAddress: '1.2.840.113549.1.9.1',
} as const;

/** The certificate signature algorithms NuGet accepts (NU3013). */
export const ALLOWED_CERTIFICATE_SIGNATURE_ALGORITHMS: readonly string[] = [
  OID.sha256WithRsa,
  OID.sha384WithRsa,
  OID.sha512WithRsa,
];
