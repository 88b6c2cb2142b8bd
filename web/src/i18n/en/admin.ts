// Strings of the admin pages (keys start with 'admin.').
export const admin = {
} as const;
