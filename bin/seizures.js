#!/usr/bin/env node
// The package's `seizures` bin: runs the TypeScript CLI through tsx, so `npx seizures ...` works after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('./seizures.ts');
