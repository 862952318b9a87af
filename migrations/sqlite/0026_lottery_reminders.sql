ALTER TABLE `lotteries` ADD `remind` text;--> statement-breakpoint
ALTER TABLE `lotteries` ADD `reminded_ms` integer;