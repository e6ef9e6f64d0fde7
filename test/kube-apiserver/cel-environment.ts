// SPDX-License-Identifier: MIT
// The CEL environment for `x-kubernetes-validations`: @marcbachmann/cel-js plus the Kubernetes
// library functions it lacks and that the fake implements itself.

import { Environment } from '@marcbachmann/cel-js';

function isUrl(text: string): boolean {
  return URL.canParse(text) && /^[a-z][a-z0-9+.-]*:/i.test(text);
}

/** A fresh environment; variables (`self`, `oldSelf`) are dynamically typed, as in the apiserver. */
export function createCelEnvironment(): Environment {
  return new Environment({ unlistedVariablesAreDyn: true })
    .registerFunction('isURL(string): bool', isUrl)
    .registerFunction('string.find(string): string', (text: string, re: string) => new RegExp(re, 'u').exec(text)?.[0] ?? '')
    .registerFunction('string.findAll(string): list<string>', (text: string, re: string) =>
      [...text.matchAll(new RegExp(re, 'gu'))].map((m) => m[0]),
    )
    .registerFunction('string.replace(string, string): string', (text: string, from: string, to: string) =>
      text.split(from).join(to),
    )
    .registerFunction('string.charAt(int): string', (text: string, index: bigint) => text.charAt(Number(index)));
}
