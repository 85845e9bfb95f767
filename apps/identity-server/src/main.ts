import 'reflect-metadata';
import { hello } from '@idp/core';
console.log(hello());
