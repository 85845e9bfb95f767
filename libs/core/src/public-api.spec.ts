import type * as api from '@idp/core';
import { describe, expectTypeOf, it } from 'vitest';
import type { AnyPaths } from '../../../test/support/no-any.js';

// Type tests, checked by `npm run typecheck`: it fails when `any` reaches a host app through an
// export of @idp/core, and the error names where. test/packages.e2e-spec.ts also refuses `any`
// anywhere in the built API report.
describe('the public types of @idp/core', () => {
  it('no exported class, function or constant has `any` in its members, parameters or results', () => {
    expectTypeOf<AnyPaths<typeof api>>().toEqualTypeOf<never>();
  });

  it('nor do the exported types a host writes code against', () => {
    expectTypeOf<AnyPaths<api.CoreOptions>>().toEqualTypeOf<never>();
    expectTypeOf<AnyPaths<api.HttpRequestLike>>().toEqualTypeOf<never>();
    expectTypeOf<AnyPaths<api.HttpResponseLike>>().toEqualTypeOf<never>();
  });
});
