ALTER TABLE `shop_items` ADD `managed_by` text;--> statement-breakpoint
ALTER TABLE `shop_items` ADD `file_spec` text;