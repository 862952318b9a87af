ALTER TABLE `scheduled_posts` ADD `skips` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `scheduled_posts` ADD `last_skipped_at` integer;--> statement-breakpoint
CREATE INDEX `deliveries_community_created` ON `deliveries` (`community_id`,`created_at`);