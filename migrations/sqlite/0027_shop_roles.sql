ALTER TABLE `shop_items` ADD `role_id` text;--> statement-breakpoint
ALTER TABLE `shop_items` ADD `role_days` integer;--> statement-breakpoint
ALTER TABLE `shop_orders` ADD `expires_at` integer;