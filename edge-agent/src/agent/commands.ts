import { commandSchema, describeError, silentLogger } from '@dcmms/shared';
import type { Clock, Command, CommandResult, Logger, SiteTag } from '@dcmms/shared';
import type { DeviceAdapter } from '@dcmms/protocol-adapters';

export interface CommandHandlerOptions {
  readonly site: string;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly tags: () => ReadonlyMap<string, SiteTag>;
  readonly adapterFor: (device: string) => DeviceAdapter | undefined;
  readonly publish: (result: CommandResult) => void;
  /** A write that takes longer than this is reported failed. */
  readonly writeTimeoutMs?: number;
}

export type CommandCounter = (status: CommandResult['status'] | 'invalid') => void;

const REMEMBERED = 1000;

/**
 * Commands from the cloud. Only a write to a tag the site config marks `writable`, on
 * time, for this site, is carried out (through the device's adapter); everything else is
 * refused with a result and logged. A command redelivered by the broker is not carried out
 * twice: its first result is sent again.
 */
export class CommandHandler {
  private readonly log: Logger;
  private readonly done = new Map<string, CommandResult>();

  constructor(
    private readonly o: CommandHandlerOptions,
    private readonly count: CommandCounter = () => undefined,
  ) {
    this.log = o.logger ?? silentLogger;
  }

  async handle(payload: Buffer): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      json = undefined;
    }
    const parsed = commandSchema.safeParse(json);
    if (!parsed.success) {
      this.count('invalid');
      const id = (json as { id?: unknown } | undefined)?.id;
      this.log.warn({ event: 'command_invalid', payload: payload.toString('utf8').slice(0, 2048), issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) }, 'refused a malformed command');
      if (typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id)) this.reply({ commandId: id, site: this.o.site, status: 'rejected', reason: 'malformed command', ts: this.o.clock.now() });
      return;
    }
    const command = parsed.data;
    const previous = this.done.get(command.id);
    if (previous !== undefined) {
      this.log.info({ event: 'command_duplicate', commandId: command.id }, 'command already handled; its result is sent again');
      this.o.publish(previous);
      return;
    }
    this.reply(await this.execute(command));
  }

  private async execute(command: Command): Promise<CommandResult> {
    const result = (status: CommandResult['status'], reason?: string): CommandResult => ({
      commandId: command.id,
      site: this.o.site,
      status,
      ...(reason === undefined ? {} : { reason: reason.slice(0, 2048) }),
      ts: this.o.clock.now(),
    });
    const refuse = (reason: string): CommandResult => {
      this.log.warn({ event: 'command_refused', commandId: command.id, actor: command.actor, action: command.action, reason }, `refused a command: ${reason}`);
      return result('rejected', reason);
    };
    if (command.site !== this.o.site) return refuse(`the command is for site ${command.site}`);
    if (this.o.clock.now() > command.expiresAt) {
      this.log.warn({ event: 'command_expired', commandId: command.id, expiresAt: command.expiresAt }, 'command arrived after it expired; not carried out');
      return result('expired', 'arrived after it expired');
    }
    const { tag, value } = command.action;
    const info = this.o.tags().get(tag);
    if (info === undefined) return refuse(`no tag named "${tag}" at this site`);
    if (!info.writable) return refuse(`tag "${tag}" is not writable`);
    const adapter = this.o.adapterFor(info.device);
    if (adapter === undefined) return refuse(`device ${info.device} is not running`);
    const timeoutMs = this.o.writeTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        adapter.write(tag, value),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer from device ${info.device} within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      this.log.warn({ event: 'command_failed', commandId: command.id, tag, err }, 'write failed');
      return result('failed', describeError(err));
    } finally {
      if (timer) clearTimeout(timer);
    }
    this.log.info({ event: 'command_succeeded', commandId: command.id, actor: command.actor, tag, value }, 'write carried out');
    return result('succeeded');
  }

  private reply(result: CommandResult): void {
    this.count(result.status);
    this.done.set(result.commandId, result);
    if (this.done.size > REMEMBERED) this.done.delete(this.done.keys().next().value!);
    this.o.publish(result);
  }
}
