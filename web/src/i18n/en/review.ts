// Strings of the review pages (keys start with 'review.').
export const review = {
} as const;
