import { decodeRealtimeFrame } from './realtime-frame.decoder';

const change = {
  ids: [7],
  data: { schema: 'public', table: 'messages', type: 'INSERT', columns: [], record: {}, errors: null },
};

describe('decodeRealtimeFrame', () => {
  it('decodes a 2.0.0 array frame into the message realtime-js routes', () => {
    const frame = decodeRealtimeFrame(JSON.stringify(['6', '6', 'realtime:x', 'phx_reply', { status: 'ok' }]));
    expect(frame).toEqual({
      ok: true,
      value: { join_ref: '6', ref: '6', topic: 'realtime:x', event: 'phx_reply', payload: { status: 'ok' } },
    });
    expect(decodeRealtimeFrame(JSON.stringify([null, null, 'realtime:x', 'postgres_changes', change]))).toMatchObject({
      ok: true,
      value: { event: 'postgres_changes', payload: change },
    });
  });

  it.each([
    ['not json', 'not valid JSON'],
    ['{"topic":"phoenix","event":"heartbeat","payload":{}}', '5-element array'],
    ['[null,null,"phoenix","heartbeat",{},"extra"]', '5-element array'],
    ['[1,null,"phoenix","heartbeat",{}]', 'refs'],
    ['[null,null,7,"heartbeat",{}]', 'topic or event'],
    ['[null,null,"phoenix","heartbeat",null]', 'payload is not an object'],
    ['[null,null,"realtime:x","stand_in","a string payload"]', 'payload is not an object'],
    ['[null,null,"realtime:x","postgres_changes",{"ids":[1],"data":{}}]', 'data.columns'],
    ['[null,null,"realtime:x","postgres_changes",{"ids":[1],"data":{"columns":[]}}]', 'data.type'],
    ['[null,null,"realtime:x","postgres_changes",{"data":{"columns":[],"type":"INSERT"}}]', 'ids'],
  ])('rejects %s with a reason instead of throwing', (raw, reason) => {
    const frame = decodeRealtimeFrame(raw);
    expect(frame.ok).toBe(false);
    if (!frame.ok) expect(frame.reason).toContain(reason);
  });

  it('rejects binary frames', () => {
    expect(decodeRealtimeFrame(new ArrayBuffer(4))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('binary'),
    });
  });
});
