// DISCO status and the operator's BuyPower wallet, from the vendor: each answer is used only when its
// signature verified. A wallet that covers vends again does not resume a paused queue by itself: an
// operator does (vending.resume_queue), having seen why it paused.
import { db } from "../db.ts";
import { recordCalls } from "./worker.ts";
import { vendorDeps } from "./service.ts";

export async function refreshFromVendor(): Promise<
  { discosUpdated: number; walletBalanceKobo: number | null }
> {
  const { client } = vendorDeps();
  const sql = db();
  const [discos, wallet] = await Promise.all([client.discoStatus(), client.walletBalance()]);
  await recordCalls(sql, [discos.call, wallet.call]);
  let discosUpdated = 0;
  const statusMap = discos.signatureValid && discos.httpStatus === 200
    ? (discos.body?.data ?? discos.body)
    : null;
  if (statusMap && typeof statusMap === "object") {
    const entries = Object.entries(statusMap as Record<string, unknown>)
      .filter(([code, up]) => /^[A-Z]{2,10}$/.test(code) && typeof up === "boolean")
      .map(([code, up]) => ({ code, up }));
    const updated = await sql`
      update vending.discos d set is_up = s.up, status_checked_at = now()
      from jsonb_to_recordset(${sql.json(entries as never)}) as s(code text, up boolean)
      where d.code = s.code returning d.code`;
    discosUpdated = updated.length;
  }
  let walletBalanceKobo: number | null = null;
  const balance = wallet.signatureValid && wallet.httpStatus === 200
    ? Number(wallet.body?.data?.balance ?? wallet.body?.balance)
    : NaN;
  if (Number.isFinite(balance)) {
    walletBalanceKobo = Math.round(balance * 100);
    await sql`insert into vending.wallet_snapshots (balance_kobo) values (${walletBalanceKobo})`;
  }
  return { discosUpdated, walletBalanceKobo };
}
