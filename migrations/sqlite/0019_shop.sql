CREATE TABLE `shop_codes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`item_id` integer NOT NULL,
	`code` text NOT NULL,
	`order_id` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`item_id`) REFERENCES `shop_items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`order_id`) REFERENCES `shop_orders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `shop_codes_item_code` ON `shop_codes` (`item_id`,`code`);--> statement-breakpoint
CREATE UNIQUE INDEX `shop_codes_order` ON `shop_codes` (`order_id`);--> statement-breakpoint
CREATE INDEX `shop_codes_free` ON `shop_codes` (`item_id`,`order_id`);--> statement-breakpoint
CREATE TABLE `shop_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` integer NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`price` integer NOT NULL,
	`kind` text NOT NULL,
	`stock` integer,
	`per_member` integer,
	`min_level` integer DEFAULT 0 NOT NULL,
	`starts_at` integer,
	`ends_at` integer,
	`status` text NOT NULL,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `shop_items_community` ON `shop_items` (`community_id`,`status`);--> statement-breakpoint
CREATE INDEX `shop_items_name` ON `shop_items` (`community_id`,`name_key`);--> statement-breakpoint
CREATE TABLE `shop_orders` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` integer NOT NULL,
	`item_id` integer NOT NULL,
	`member_id` integer NOT NULL,
	`price` integer NOT NULL,
	`status` text NOT NULL,
	`note` text,
	`created_at` integer NOT NULL,
	`fulfilled_by` integer,
	`fulfilled_at` integer,
	`refunded_by` integer,
	`refunded_at` integer,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_id`) REFERENCES `shop_items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`fulfilled_by`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`refunded_by`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `shop_orders_community` ON `shop_orders` (`community_id`,`status`);--> statement-breakpoint
CREATE INDEX `shop_orders_member` ON `shop_orders` (`member_id`,`item_id`);