// Every user-visible English string, one file per area; this is the one place they live.
// A new language is a sibling directory with the same keys (checked by tsc through `Messages`).
import { admin } from './admin';
import { auth } from './auth';
import { common } from './common';
import { onboarding } from './onboarding';
import { ops } from './ops';
import { review } from './review';

export const en = { ...common, ...auth, ...onboarding, ...review, ...admin, ...ops } as const;
