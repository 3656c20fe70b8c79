import type { AffinityClient } from '../../affinity/client.js';
import { FeedFold, feedFilter } from './feed-window.js';
import type { Watermark } from './incremental-state.js';

/**
 * Reads the mapped fields' changes since the watermark, every page (thin: the meaning is in
 * FeedFold). Stops early, with `overflow`, once foreign changes name more than `limit` entries:
 * the run will scan instead, so the rest of the feed is not worth reading.
 */
export async function readFeed(
  client: AffinityClient,
  options: { fieldIds: readonly string[]; watermark: Watermark; ownUserId: number; limit: number },
): Promise<{ fold: FeedFold; overflow: boolean }> {
  const fold = new FeedFold(options.watermark, options.ownUserId);
  for await (const page of client.fieldValueChangePages(feedFilter(options.fieldIds, options.watermark))) {
    fold.add(page);
    if (fold.touched.size > options.limit) return { fold, overflow: true };
  }
  return { fold, overflow: false };
}
