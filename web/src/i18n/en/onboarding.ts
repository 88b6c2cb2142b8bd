// Strings of the onboarding pages (keys start with 'onboarding.').
export const onboarding = {
} as const;
