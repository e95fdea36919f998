export * from './org-number.js';
export * from './person-number.js';
export * from './party-urn.js';
export * from './uuid.js';
export * from './identifier.decorators.js';
