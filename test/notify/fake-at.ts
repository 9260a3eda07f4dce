/**
 * A stand-in for Africa's Talking over real HTTP (port 0): records each request and answers from a
 * script, so tests see exactly what goes over the wire and how errors are treated.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AtRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  form: Record<string, string>;
}
export type AtAnswer = { status: number; body: unknown };

export const atAccepted = (id = `ATXid_${Math.random().toString(36).slice(2)}`): AtAnswer => ({
  status: 201,
  body: {
    SMSMessageData: {
      Message: 'Sent to 1/1 Total Cost: KES 0.8000',
      Recipients: [
        { statusCode: 101, number: '+254711000000', status: 'Success', cost: 'KES 0.8000', messageId: id },
      ],
    },
  },
});
export const atRecipientStatus = (statusCode: number, status: string): AtAnswer => ({
  status: 201,
  body: {
    SMSMessageData: {
      Message: 'Sent to 0/1 Total Cost: 0',
      Recipients: [{ statusCode, number: '+254711000000', status, cost: '0', messageId: 'None' }],
    },
  },
});

export async function startFakeAt(): Promise<{
  url: string;
  requests: AtRequest[];
  /** Answers used in order; when empty, `fallback` answers. */
  script: AtAnswer[];
  fallback: { answer: AtAnswer };
  close(): Promise<void>;
}> {
  const requests: AtRequest[] = [];
  const script: AtAnswer[] = [];
  const fallback = { answer: atAccepted() };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      requests.push({
        path: req.url ?? '',
        headers: req.headers,
        form: Object.fromEntries(new URLSearchParams(body)),
      });
      const a = script.shift() ?? fallback.answer;
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script,
    fallback,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
