import { describe, expect, test } from "bun:test";
import { createExportSlots } from "./export-slots.ts";

async function* chunks(n: number) {
  for (let i = 0; i < n; i++) yield i;
}

describe("export slots", () => {
  test("a third export waits for a slot and gets it when one ends", async () => {
    const slots = createExportSlots(2, 1000);
    const a = (await slots.take()).stream(chunks(2));
    const b = (await slots.take()).stream(chunks(2));
    await a.next();
    await b.next();
    let third = false;
    const waiting = slots.take().then((s) => {
      third = true;
      return s;
    });
    await Bun.sleep(20);
    expect(third).toBe(false);
    for await (const _ of a); // ends: its slot passes on
    const c = await waiting;
    expect(third).toBe(true);
    expect(await Array.fromAsync(c.stream(chunks(3)))).toEqual([0, 1, 2]);
    await b.return(undefined); // a cancelled download gives its slot back too
    const d = await slots.take();
    const e = await slots.take();
    d.release();
    e.release();
  });

  test("no slot within the wait: UNAVAILABLE naming the reason; release before streaming frees it", async () => {
    const slots = createExportSlots(1, 30);
    const held = await slots.take();
    await expect(slots.take()).rejects.toMatchObject({ code: "UNAVAILABLE", message: expect.stringContaining("already running") });
    held.release();
    held.release(); // idempotent: one slot, not two
    const again = await slots.take();
    await expect(slots.take()).rejects.toMatchObject({ code: "UNAVAILABLE" });
    again.release();
  });
});
