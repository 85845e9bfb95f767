// Type-level helpers for the "no `any` leaks through the public API" tests (libs/*/src/public-api.spec.ts).
import type { DynamicModule, ExecutionContext } from '@nestjs/common';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** true when T is `any`. */
export type IsAny<T> = 0 extends 1 & T ? true : false;

type Next = [never, 0, 1, 2, 3, 4, 5, 6];
type Leaf = string | number | boolean | bigint | symbol | null | undefined | void | Date | RegExp | Uint8Array;
/** Members every function, class or error class has from the platform (`apply`, `captureStackTrace`, ...). */
type Inherited = keyof Function | 'captureStackTrace' | 'prepareStackTrace' | 'stackTraceLimit';
/** Other libraries' types reached through ours: their own `any`s are not ours to answer for. */
type Foreign = EntityManager | DataSource | QueryRunner | ExecutionContext | DynamicModule;

/**
 * The places where `any` appears in T, as paths (`.member`, `(0)` for the first parameter,
 * `=>` for a (awaited) result, `new=>` for a class's instances, `[]` for an element), looking
 * D levels into properties, methods and call signatures; `never` when there is none.
 */
export type AnyPaths<T, D extends number = 6> =
  IsAny<T> extends true
    ? ''
    : [D] extends [never]
      ? never
      : T extends Leaf | Foreign
        ? never
        : [Function] extends [T] // the untyped `Function` itself (e.g. in Error.captureStackTrace)
          ? never
          : T extends readonly (infer E)[]
            ? `[]${AnyPaths<E, Next[D]>}`
            : T extends ReadonlyMap<infer K, infer V>
              ? `<key>${AnyPaths<K, Next[D]>}` | `<value>${AnyPaths<V, Next[D]>}`
              : T extends ReadonlySet<infer E>
                ? `<element>${AnyPaths<E, Next[D]>}`
                : // Classes: their instances. Constructor parameters are what Nest injects
                  // (HttpAdapterHost, TypeORM repositories): no host code passes them.
                  | (T extends abstract new (...args: never) => infer I ? `new=>${AnyPaths<I, Next[D]>}` : never)
                  | (T extends (...args: infer A) => infer R
                      ? ParamPaths<A, D> | `=>${AnyPaths<Awaited<R>, Next[D]>}`
                      : never)
                  | { [K in Members<T>]-?: `.${K}${AnyPaths<T[K], Next[D]>}` }[Members<T>];

type Members<T> = T extends abstract new (...args: never) => unknown
  ? Exclude<keyof T & string, Inherited>
  : T extends (...args: never) => unknown
    ? Exclude<keyof T & string, Inherited>
    : Exclude<keyof T & string, 'prototype'>; // a class with a private constructor: `prototype` is its instance with `any` type arguments

type ParamPaths<A extends readonly unknown[], D extends number> = {
  [I in keyof A & `${number}`]: `(${I})${AnyPaths<A[I], Next[D]>}`;
}[keyof A & `${number}`];
