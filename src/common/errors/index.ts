export * from './domain-error.js';
export * from './problem-details.js';
export * from './problem-details.filter.js';
export * from './prisma-error-map.js';
export * from './validation-errors.js';
export * from './trace-id.js';
