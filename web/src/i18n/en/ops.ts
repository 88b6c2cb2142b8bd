// Strings of the ops pages (keys start with 'ops.').
export const ops = {
} as const;
