import type * as api from '@idp/flows';
import { describe, expectTypeOf, it } from 'vitest';
import type { AnyPaths } from '../../../test/support/no-any.js';

// Type tests, checked by `npm run typecheck`: it fails when `any` reaches a host app through an
// export of @idp/flows, and the error names where. test/packages.e2e-spec.ts also refuses `any`
// anywhere in the built API report.
describe('the public types of @idp/flows', () => {
  it('no exported class, function or constant has `any` in its members, parameters or results', () => {
    expectTypeOf<AnyPaths<typeof api>>().toEqualTypeOf<never>();
  });

  it('nor do the types a stage handler is written against', () => {
    expectTypeOf<AnyPaths<api.StageHandler>>().toEqualTypeOf<never>();
    expectTypeOf<AnyPaths<api.StageContext>>().toEqualTypeOf<never>();
    expectTypeOf<AnyPaths<api.StageOutcome>>().toEqualTypeOf<never>();
  });
});
