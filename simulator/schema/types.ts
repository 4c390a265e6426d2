/** The XSD model the simulator validates with: simple types with their facets, element particles and sequences, and the builders the schemas are written with. */
export interface SimpleType {
  readonly kind: 'simple';
  readonly name: string;
  readonly base: 'string' | 'int' | 'long' | 'dateTime' | 'boolean' | 'float';
  /** Patterns of one derivation step (ORed, implicitly anchored). */
  readonly patterns?: readonly string[];
  readonly length?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minInclusive?: number;
  readonly maxInclusive?: number;
  readonly enumeration?: readonly string[];
}

export interface Particle {
  readonly name: string;
  /** Namespace of the element; '' for unqualified. */
  readonly ns?: string;
  readonly type: SimpleType | ComplexType;
  readonly min: number;
  readonly max: number;
  readonly nillable?: boolean;
}

export interface ComplexType {
  readonly kind: 'complex';
  readonly name: string;
  readonly particles: readonly Particle[];
}

/** An xs:string restriction with these facets. */
export const s = (name: string, facets: Omit<SimpleType, 'kind' | 'name' | 'base'> = {}): SimpleType => ({
  kind: 'simple',
  name,
  base: 'string',
  ...facets,
});

/** A built-in type (or a restriction of one) with no string facets. */
export const builtin = (
  base: SimpleType['base'],
  name: string = base,
  facets: Pick<SimpleType, 'minInclusive' | 'maxInclusive'> = {},
): SimpleType => ({ kind: 'simple', name, base, ...facets });

export const enumType = (name: string, values: readonly string[]): SimpleType =>
  s(name, { enumeration: values });

/** A particle: element `name` of `type`, occurring min..max times. */
export const p = (
  name: string,
  type: SimpleType | ComplexType,
  min = 1,
  max = 1,
  extra: { ns?: string; nillable?: boolean } = {},
): Particle => ({ name, type, min, max, ...extra });
export const opt = (name: string, type: SimpleType | ComplexType, nillable = false): Particle =>
  p(name, type, 0, 1, { nillable });
export const complex = (name: string, particles: readonly Particle[]): ComplexType => ({
  kind: 'complex',
  name,
  particles,
});

/** Builders of particles qualified with `ns` (WCF parameters and DataContract members, nillable unless told). */
export const nsp = (ns: string) => ({
  req: (name: string, type: SimpleType | ComplexType, nillable = true): Particle =>
    p(name, type, 1, 1, { ns, nillable }),
  opt: (name: string, type: SimpleType | ComplexType, nillable = true): Particle =>
    p(name, type, 0, 1, { ns, nillable }),
});
