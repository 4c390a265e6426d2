import { describe, expect, it } from 'vitest';
import {
  kebab,
  NS,
  OPERATION_IDS,
  OPERATION_LIST,
  OPERATIONS,
  SERVICES,
} from '../../shared/lrs/contract/operations.js';

describe('operation table', () => {
  it('lists the 17 LRS operations, each keyed by its own id', () => {
    expect(OPERATION_LIST).toHaveLength(17);
    for (const id of OPERATION_IDS) expect(OPERATIONS[id].id).toBe(id);
  });

  it('gives every operation a distinct route and a distinct request element per service', () => {
    const routes = new Set(OPERATION_LIST.map((o) => `${o.route.method} ${o.route.path}`));
    const elements = new Set(OPERATION_LIST.map((o) => `${o.service} {${o.request.ns}}${o.request.name}`));
    expect(routes.size).toBe(17);
    expect(elements.size).toBe(17);
  });

  it('uses the WSDL SOAPAction values: empty on LearnerService except verifyLearner', () => {
    const learnerService = OPERATION_LIST.filter((o) => o.service === 'LearnerService');
    expect(learnerService).toHaveLength(10);
    expect(learnerService.filter((o) => o.soapAction !== '').map((o) => o.id)).toEqual(['verifyLearner']);
    expect(OPERATIONS.verifyLearner.soapAction).toBe('http://tempuri.org/LearnerPortType/verifyLearner');
    expect(OPERATIONS.getLearningEvents.soapAction).toBe(
      'http://tempuri.org/ILearnerServiceR9/GetLearnerLearningEvents',
    );
    expect(OPERATIONS.getAchievementBatch.soapAction).toBe(
      'http://api.lrs.qcf.gov.uk/services/IExternalService/GetAchievementBatchJob',
    );
  });

  it('routes wrapped services to tempuri / services wrappers with a Result element', () => {
    for (const o of OPERATION_LIST.filter((x) => SERVICES[x.service].style === 'wrapped')) {
      expect([NS.tempuri, NS.services]).toContain(o.request.ns);
      expect(o.result?.name).toBe(`${o.lrsName}Result`);
    }
  });

  it('makes kebab-case names for resources', () => {
    expect(kebab('findLearnerByUln')).toBe('find-learner-by-uln');
  });
});
