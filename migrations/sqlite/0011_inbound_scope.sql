PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_inbound_events` (
	`platform` text NOT NULL,
	`community` text DEFAULT '' NOT NULL,
	`delivery_id` text NOT NULL,
	`actor` text DEFAULT '' NOT NULL,
	`received_at` integer NOT NULL,
	`reply_json` text,
	PRIMARY KEY(`platform`, `community`, `delivery_id`)
);
--> statement-breakpoint
-- Rows from before this migration do not know their community or author: they are kept until pruned but match no new delivery.
INSERT INTO `__new_inbound_events`("platform", "community", "delivery_id", "actor", "received_at", "reply_json") SELECT "platform", '', "delivery_id", '', "received_at", "reply_json" FROM `inbound_events`;--> statement-breakpoint
DROP TABLE `inbound_events`;--> statement-breakpoint
ALTER TABLE `__new_inbound_events` RENAME TO `inbound_events`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `inbound_events_received` ON `inbound_events` (`received_at`);