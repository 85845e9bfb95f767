import type * as api from '@idp/user-login';
import { describe, expectTypeOf, it } from 'vitest';
import type { AnyPaths } from '../../../test/support/no-any.js';

// Type tests, checked by `npm run typecheck`: it fails when `any` reaches a host app through an
// export of @idp/user-login, and the error names where (e.g. ".UserLoginStageService new=>.login(0).request").
// test/packages.e2e-spec.ts also refuses `any` anywhere in the built API report.
describe('the public types of @idp/user-login', () => {
  it('no exported class, function or constant has `any` in its members, parameters or results', () => {
    // The module class's instances come from Nest's ConfigurableModuleClass (`new () => any`);
    // a host only calls its static forRoot / forRootAsync.
    expectTypeOf<AnyPaths<Omit<typeof api, 'UserLoginModule'>>>().toEqualTypeOf<never>();
    expectTypeOf<AnyPaths<Pick<typeof api.UserLoginModule, 'forRoot' | 'forRootAsync'>>>().toEqualTypeOf<never>();
  });

  it('nor do the exported types a host writes code against', () => {
    expectTypeOf<AnyPaths<api.UserLoginModuleOptions>>().toEqualTypeOf<never>();
    expectTypeOf<AnyPaths<api.ActiveSession>>().toEqualTypeOf<never>();
    expectTypeOf<AnyPaths<api.LoginRequest>>().toEqualTypeOf<never>();
    expectTypeOf<AnyPaths<api.LoginResult>>().toEqualTypeOf<never>();
    expectTypeOf<AnyPaths<api.SessionTerminated>>().toEqualTypeOf<never>();
  });
});
