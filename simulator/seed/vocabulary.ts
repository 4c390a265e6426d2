/** The word lists the seeded register draws from: names, areas, streets, schools, providers and qualifications. */
export const MALE = [
  'Oliver',
  'George',
  'Harry',
  'Jack',
  'Jacob',
  'Noah',
  'Charlie',
  'Thomas',
  'Oscar',
  'William',
  'James',
  'Henry',
  'Leo',
  'Alfie',
  'Joshua',
  'Freddie',
  'Archie',
  'Ethan',
  'Isaac',
  'Alexander',
  'Joseph',
  'Edward',
  'Samuel',
  'Max',
  'Daniel',
  'Arthur',
  'Lucas',
  'Mohammed',
  'Logan',
  'Theo',
] as const;
export const FEMALE = [
  'Olivia',
  'Amelia',
  'Isla',
  'Ava',
  'Emily',
  'Isabella',
  'Mia',
  'Poppy',
  'Ella',
  'Lily',
  'Evie',
  'Sophia',
  'Grace',
  'Jessica',
  'Chloe',
  'Ruby',
  'Sophie',
  'Freya',
  'Alice',
  'Daisy',
  'Florence',
  'Matilda',
  'Ivy',
  'Phoebe',
  'Evelyn',
  'Sienna',
  'Harper',
  'Abbie',
  'Megan',
  'Hannah',
] as const;
export const FAMILY = [
  'Smith',
  'Jones',
  'Williams',
  'Taylor',
  'Brown',
  'Davies',
  'Evans',
  'Wilson',
  'Thomas',
  'Johnson',
  'Roberts',
  'Robinson',
  'Thompson',
  'Wright',
  'Walker',
  'White',
  'Edwards',
  'Hughes',
  'Green',
  'Hall',
  'Lewis',
  'Harris',
  'Clarke',
  'Patel',
  'Jackson',
  'Wood',
  'Turner',
  'Martin',
  'Cooper',
  'Hill',
  'Ward',
  'Morris',
  'Moore',
  'Clark',
  'Lee',
  'King',
  'Baker',
  'Harrison',
  'Morgan',
  'Allen',
  'James',
  'Scott',
  'Phillips',
  'Watson',
  'Davis',
  'Parker',
  'Price',
  'Bennett',
  'Young',
  'Griffiths',
  'Mitchell',
  'Kelly',
  'Cook',
  'Carter',
  'Richardson',
  'Bailey',
  'Collins',
  'Bell',
  'Shaw',
  'Murphy',
  'Miller',
  'Cox',
  'Richards',
  'Khan',
  'Marshall',
  'Anderson',
  'Simpson',
  'Ellis',
  'Adams',
  'Singh',
  'Begum',
  'Wilkinson',
  'Foster',
  'Chapman',
  'Powell',
  'Webb',
  'Rogers',
  'Gray',
  'Mason',
  "O'Brien",
] as const;
/** Postcode areas with their post town and county: one a line, columns two or more spaces apart. */
const AREA_TABLE = `
CV  COVENTRY             WEST MIDLANDS
B   BIRMINGHAM           WEST MIDLANDS
LS  LEEDS                WEST YORKSHIRE
M   MANCHESTER           GREATER MANCHESTER
NE  NEWCASTLE UPON TYNE  TYNE AND WEAR
SO  SOUTHAMPTON          HAMPSHIRE
BS  BRISTOL              AVON
NG  NOTTINGHAM           NOTTINGHAMSHIRE
LU  LUTON                BEDFORDSHIRE
EX  EXETER               DEVON
OX  OXFORD               OXFORDSHIRE
S   SHEFFIELD            SOUTH YORKSHIRE
`;
export const AREAS: readonly { area: string; town: string; county: string }[] = AREA_TABLE.trim()
  .split('\n')
  .map((line) => {
    const [area = '', town = '', county = ''] = line.split(/ {2,}/);
    return { area, town, county };
  });
export const STREETS = [
  'HIGH STREET',
  'CHURCH LANE',
  'STATION ROAD',
  'MILL LANE',
  'PARK AVENUE',
  'VICTORIA ROAD',
  'THE GREEN',
];
export const PLACES = [
  'Coventry',
  'Leeds',
  'Bristol',
  'Chard',
  'Blean',
  'Whittlesey',
  'Luton',
  'Exeter',
  'Oxford',
];
export const SCHOOLS = [
  'Northfield Academy',
  'Valley Park School',
  'St Mary School',
  'Riverside High School',
  'Kings School',
];
export const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

export const PROVIDERS = [
  { name: 'SAMPLE CHURCH', ukprn: '10030488' },
  { name: 'VALLEY PARK SCHOOL', ukprn: '10033421' },
  { name: 'NORTHFIELD COLLEGE', ukprn: '10007455' },
  { name: 'RIVERSIDE SIXTH FORM', ukprn: '10001234' },
] as const;
export const ILR_AIMS = [
  { qualificationType: 'GCSE', subject: 'GCSE in English Literature', subjectCode: '50079116' },
  {
    qualificationType: 'Certificate',
    subject: 'Certificate in Business Language Competence',
    subjectCode: '10016454',
  },
  { qualificationType: 'NVQ', subject: 'NVQ in Business Administration', subjectCode: '1000323X' },
  {
    qualificationType: 'BTEC National Certificate',
    subject: 'BTEC National Certificate in Engineering',
    subjectCode: '50026173',
  },
] as const;
export const NPD_QUALS = [
  {
    ao: 'EDEXCEL Foundation',
    aoUkprn: '100060',
    qualificationType: 'GCE AS level',
    subject: 'EDEXCEL Level 3 Advanced Subsidiary GCE in Government and Politics',
    subjectCode: '50026173',
  },
  {
    ao: 'OCR',
    aoUkprn: '100061',
    qualificationType: 'GCE A level',
    subject: 'OCR Level 3 Advanced GCE in English Literature',
    subjectCode: '50024899',
  },
  {
    ao: 'AQA',
    aoUkprn: '100062',
    qualificationType: 'GCSE',
    subject: 'AQA GCSE in Mathematics',
    subjectCode: '50079207',
  },
] as const;
export const AO_QUALS = [
  {
    qualificationType: 'GCSE (A* to G)',
    subject: 'OCR Level 1/Level 2 GCSE in Additional Science B',
    subjectCode: '600/1166/X',
    level: 'Level 1/2',
  },
  {
    qualificationType: 'NVQ/GNVQ Key Skills Unit',
    subject: 'Key Skills in Application of Number',
    subjectCode: 'K/501/5773',
    level: 'Level 1/2',
  },
  {
    qualificationType: 'GCE A level',
    subject: 'Cambridge International A Level in Physics',
    subjectCode: '500/4606/8',
    level: 'Level 3',
  },
] as const;
export const NPD_GRADES = ['A*', 'A', 'B', 'C', 'D', 'E', 'U'];
export const AO_GRADES = ['Pass', 'Merit', 'Distinction', '1', '2'];
