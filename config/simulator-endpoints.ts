/**
 * Where each real client points to reach the simulator, and the keys it accepts. Everything is
 * served by one server; DART's client keeps a path prefix, so DART lives under /dart/; the
 * others join absolute paths to scheme and host, so they are served at their real paths.
 */

export const SIMULATOR_DATAGOKR_KEY = 'sim-datagokr-key';
export const SIMULATOR_DART_KEY = 'sim-dart-key';
export const SIMULATOR_FINLIFE_KEY = 'sim-finlife-key';
export const SIMULATOR_KRX_OPENAPI_KEY = 'sim-krx-openapi-key';
export const SIMULATOR_ALPHAVANTAGE_KEY = 'sim-alphavantage-key';
/** The KRX data portal logs in with a member id and password, not a key. */
export const SIMULATOR_KRX_LOGIN = { id: 'sim-krx-user', password: 'sim-krx-password' } as const;

export const DART_MOUNT = '/dart/';

export interface SimulatorBaseUrls {
  datagokr: string;
  dart: string;
  finlife: string;
  yahoo: string;
  krxData: string;
  krxOpenApi: string;
  alphaVantage: string;
}

export function simulatorBaseUrls(simulatorUrl: string): SimulatorBaseUrls {
  const root = simulatorUrl.replace(/\/+$/, '');
  return {
    datagokr: root,
    dart: `${root}${DART_MOUNT}`,
    finlife: root,
    yahoo: root,
    krxData: root,
    krxOpenApi: root,
    alphaVantage: root,
  };
}
