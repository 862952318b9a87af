ALTER TABLE `playground_posts` ADD `delivery_id` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `playground_posts_delivery` ON `playground_posts` (`delivery_id`);