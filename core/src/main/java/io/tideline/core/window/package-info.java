/**
 * What an instance's bucket can restore. {@link io.tideline.core.window.BucketInventory} is a pure
 * model of the bucket's contents (independent of Kafka and Avro: the bucket is the source of truth,
 * events only index it); {@link io.tideline.core.window.RestorableWindow} is the one computation of
 * the restorable window, shared by retention, restore validation and the Backups view.
 * The inventory is read from a bucket by {@code io.tideline.core.inventory.BucketInventoryReader}.
 */
package io.tideline.core.window;
