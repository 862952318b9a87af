CREATE TABLE `lottery_claims` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`lottery_id` integer NOT NULL,
	`member_id` integer NOT NULL,
	`round` integer NOT NULL,
	`order_id` integer,
	`status` text NOT NULL,
	`deadline_at` integer,
	`remind_at` integer,
	`reminded_at` integer,
	`claimed_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`lottery_id`) REFERENCES `lotteries`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`order_id`) REFERENCES `shop_orders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `lottery_claims_winner` ON `lottery_claims` (`lottery_id`,`member_id`);--> statement-breakpoint
CREATE INDEX `lottery_claims_due` ON `lottery_claims` (`status`,`deadline_at`);--> statement-breakpoint
ALTER TABLE `lotteries` ADD `prize_kind` text DEFAULT 'text' NOT NULL;--> statement-breakpoint
ALTER TABLE `lotteries` ADD `prize_points` integer;--> statement-breakpoint
ALTER TABLE `lotteries` ADD `prize_item_id` integer REFERENCES shop_items(id);--> statement-breakpoint
ALTER TABLE `lotteries` ADD `claim_ms` integer;--> statement-breakpoint
ALTER TABLE `lotteries` ADD `reroll_auto` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `shop_orders` ADD `source` text;--> statement-breakpoint
ALTER TABLE `shop_orders` ADD `holds_unit` integer DEFAULT 1 NOT NULL;