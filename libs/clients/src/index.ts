export * from './http.js';
export * from './reward-client.js';
