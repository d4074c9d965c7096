/**
 * What an instance's bucket can restore. {@link io.tideline.core.window.BucketInventory} is a pure
 * model of the bucket's contents (independent of Kafka and Avro: the bucket is the source of truth,
 * events only index it); {@link io.tideline.core.window.RestorableWindow} is the one computation of
 * the restorable window, shared by retention, restore validation and the Backups view.
 * {@link io.tideline.core.window.BucketInventoryReader} is the one class here that does I/O (through
 * the {@code ObjectStore} contract): it builds the inventory from a bucket.
 */
package io.tideline.core.window;
