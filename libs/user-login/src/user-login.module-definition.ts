import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { UserLoginModuleOptions } from './user-login-options.interface.js';

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<UserLoginModuleOptions>().setClassMethodName('forRoot').build();
