/** Help texts: every command answers --help (exit 0) and prints its usage on a bad argument (exit 2). */
export const USAGE = {
  main: `dcmms-edge: the dCMMS site edge agent

Usage:
  dcmms-edge run --config FILE            run the agent for the site in FILE
  dcmms-edge check-config FILE            validate a site config and print a summary
  dcmms-edge read --config FILE --device NAME
                                          read every tag of one device once (JSON lines)
  dcmms-edge browse opc.tcp://HOST:PORT[/PATH] [--node ID]
                                          list an OPC-UA server's variables (JSON lines)
  dcmms-edge COMMAND --help               help for one command

Environment: LOG_LEVEL (default info); secrets as the config names them (uplink.password.env).`,
  run: `dcmms-edge run --config FILE [--log-level LEVEL]

Runs the agent: polls the devices, buffers to SQLite, evaluates alarms, sends to the cloud.
Serves /healthz, /readyz, /metrics and /status on the config's http.host:http.port.
SIGTERM or SIGINT stops it cleanly (polling stops, the buffer is committed and closed).

Options:
  --config FILE       the site config (YAML)
  --log-level LEVEL   trace, debug, info, warn, error (default: LOG_LEVEL or info)
  --help              this text`,
  checkConfig: `dcmms-edge check-config FILE [--json]

Validates the site config and prints what it describes; every problem is listed with its
path and line. Also checks that the uplink secrets and TLS files it names can be read.
Exit status: 0 valid, 1 invalid, 2 usage.

Options:
  --json   print the parsed config (with defaults filled in) as JSON
  --help   this text`,
  read: `dcmms-edge read --config FILE --device NAME [--timeout MS]

Connects to one device of the site config, reads every tag once, prints one JSON reading
per line ({"tag","ts","value","quality","reason"}) and exits. Exit status 1 if any
reading is bad.

Options:
  --config FILE    the site config
  --device NAME    the device's name in the config
  --timeout MS     give up after this long (default 30000)
  --help           this text`,
  browse: `dcmms-edge browse ENDPOINT [--node ID] [options]

Lists the variables below a node (default: the Objects folder) of an OPC-UA server, one JSON
object per line: {"nodeId","browsePath","displayName","dataType","access"}.

Options:
  --node ID                  start node (default i=85)
  --max-depth N              how deep to descend (default 6)
  --security-mode MODE       None, Sign or SignAndEncrypt (default None)
  --security-policy POLICY   e.g. Basic256Sha256 (default None)
  --pki DIR                  the client's PKI folder (certificate, trusted/ server certificates)
  --trust-on-first-use       trust a server certificate seen for the first time
  --user NAME                user name; the password is read from DCMMS_OPCUA_PASSWORD
  --help                     this text`,
} as const;
