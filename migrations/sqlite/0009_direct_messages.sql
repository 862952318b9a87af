ALTER TABLE `deliveries` ADD `recipient` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `fallback_json` text;