export * from './org-number.js';
export * from './person-number.js';
export * from './party-urn.js';
