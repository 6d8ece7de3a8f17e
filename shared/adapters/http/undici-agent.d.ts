/** undici ships no types for its modules one by one; this one is the Agent class its index re-exports. */
declare module 'undici/lib/dispatcher/agent.js' {
  import type { Agent } from 'undici';
  const AgentClass: typeof Agent;
  export default AgentClass;
}
