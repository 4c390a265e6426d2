/** The organisations the simulator knows: the seeded callers with their credentials and access, and the directory GetOrganisation answers from. */
export type OrganisationAccess = 'full' | 'find-only';

export interface SimulatorOrganisation {
  /** Our id for the organisation (what the gateway's credentials secret would be named after). */
  readonly organisationId: string;
  readonly ukprn: string;
  readonly organisationRef: string;
  /** Exactly 16 characters, as the LRS requires. Test-only value. */
  readonly orgPassword: string;
  readonly userName: string;
  readonly vendorId: number;
  readonly displayName: string;
  /** `find-only` organisations get WSEC0006 (insufficient access) on anything but look-ups. */
  readonly access: OrganisationAccess;
  /** Only awarding organisations may use ExternalService (achievement batches). */
  readonly awardingOrganisation: boolean;
}

export const SIMULATOR_ORGANISATIONS: readonly SimulatorOrganisation[] = [
  {
    organisationId: 'local-default',
    ukprn: 'TEST0001',
    organisationRef: 'TST001',
    orgPassword: 'SimulatorPass001',
    userName: 'sim.user',
    vendorId: 1,
    displayName: 'Simulator Test College',
    access: 'full',
    awardingOrganisation: true,
  },
  {
    organisationId: 'second-provider',
    ukprn: 'TEST0002',
    organisationRef: 'TST002',
    orgPassword: 'SimulatorPass002',
    userName: 'sim.user2',
    vendorId: 2,
    displayName: 'Simulator Second Provider',
    access: 'full',
    awardingOrganisation: false,
  },
  {
    organisationId: 'find-only',
    ukprn: 'TEST0003',
    organisationRef: 'TST003',
    orgPassword: 'SimulatorPass003',
    userName: 'sim.lookup',
    vendorId: 3,
    displayName: 'Simulator Look-up Only Organisation',
    access: 'find-only',
    awardingOrganisation: false,
  },
  {
    organisationId: 'awarding-org',
    ukprn: 'TEST0045',
    organisationRef: 'AO0045',
    orgPassword: 'SimulatorPass045',
    userName: 'sim.ao',
    vendorId: 45,
    displayName: 'Cambridge International Examinations',
    access: 'full',
    awardingOrganisation: true,
  },
];

/** The default organisation a local run uses. */
export const DEFAULT_ORGANISATION = SIMULATOR_ORGANISATIONS[0] as SimulatorOrganisation;

/** Other organisations GetOrganisation knows about (providers that appear in learning events). */
export const DIRECTORY_ORGANISATIONS: readonly {
  ukprn: string;
  orgRef: string;
  displayName: string;
  status: string;
}[] = [
  { ukprn: '10030488', orgRef: '103048', displayName: 'SAMPLE CHURCH', status: 'Active' },
  { ukprn: '10033421', orgRef: '103342', displayName: 'VALLEY PARK SCHOOL', status: 'Active' },
  { ukprn: '10007455', orgRef: '100745', displayName: 'NORTHFIELD COLLEGE', status: 'Active' },
  { ukprn: '10001234', orgRef: '100123', displayName: 'RIVERSIDE SIXTH FORM', status: 'Active' },
  { ukprn: '10009999', orgRef: '100999', displayName: 'OLD TOWN COLLEGE', status: 'Closed' },
];
