/** Injection token of the service's `ReadConfig`. */
export const READ_CONFIG = 'bank-read:config';

/** The command service's stream (see its `Account` aggregate) and this service's group on it. */
export const ACCOUNTS_STREAM = 'bank-accounts';
export const READ_GROUP = 'bank-read';
