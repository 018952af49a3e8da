CREATE TABLE `blobs` (
	`home` text NOT NULL,
	`sha256` text NOT NULL,
	`size` integer NOT NULL,
	`mtime_ms` integer NOT NULL,
	`stored_at` integer NOT NULL,
	PRIMARY KEY(`home`, `sha256`)
);
--> statement-breakpoint
CREATE TABLE `uploads` (
	`id` text PRIMARY KEY NOT NULL,
	`home` text NOT NULL,
	`length` integer NOT NULL,
	`filename` text NOT NULL,
	`declared_sha256` text,
	`state` text NOT NULL,
	`sha256` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `task_files_sha256` ON `task_files` (`sha256`);