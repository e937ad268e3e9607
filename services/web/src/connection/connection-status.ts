/** Whether the chat socket is up, as the UI shows it. */
export type ConnectionStatus = 'connecting' | 'online' | 'offline';
