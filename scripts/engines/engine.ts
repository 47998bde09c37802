import type { EngineName } from './settings.js';

/** One engine as `engines:up/down/status` drive it. */
export interface Engine {
  readonly name: EngineName;
  /** Fetches what is missing (jars, data folder) without starting anything. */
  prepare(): void;
  /** Pid of the engine this tool started, if it is still running. */
  runningPid(): number | null;
  start(): Promise<void>;
  /** Waits until the engine answers a real request, then does its one-time set-up (topics, database). */
  waitReady(): Promise<void>;
  /** A single real request: true when the engine answers now. */
  probe(): Promise<boolean>;
  stop(): Promise<void>;
  /** Removes the engine's data (not the fetched jars). Only when stopped. */
  wipe(): void;
  readonly logFile: string;
}
