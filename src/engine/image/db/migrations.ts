import type { Migration } from "../../common/db/database.js";

/**
 * The glance database, laid out like OpenStack's (images, image_properties, image_tags, image_members,
 * image_locations). Rows are soft-deleted (`deleted = 1`) as Glance does, so a deleted image's id is
 * never reused and `GET` on it answers 404.
 */
const INITIAL = `
CREATE TABLE images (
  id TEXT PRIMARY KEY,
  name TEXT,
  size INTEGER,
  virtual_size INTEGER,
  status TEXT NOT NULL,
  visibility TEXT NOT NULL DEFAULT 'shared',
  disk_format TEXT,
  container_format TEXT,
  checksum TEXT,
  os_hash_algo TEXT,
  os_hash_value TEXT,
  owner TEXT,
  min_disk INTEGER NOT NULL DEFAULT 0,
  min_ram INTEGER NOT NULL DEFAULT 0,
  protected INTEGER NOT NULL DEFAULT 0,
  os_hidden INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT,
  deleted_at TEXT,
  deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_images_owner ON images(owner);
CREATE INDEX ix_images_visibility ON images(visibility);
CREATE INDEX ix_images_created_at ON images(created_at, id);
CREATE TABLE image_properties (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  image_id TEXT NOT NULL REFERENCES images(id),
  name TEXT NOT NULL,
  value TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT,
  UNIQUE (image_id, name)
);
CREATE TABLE image_tags (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  image_id TEXT NOT NULL REFERENCES images(id),
  value TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (image_id, value)
);
CREATE TABLE image_members (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  image_id TEXT NOT NULL REFERENCES images(id),
  member TEXT NOT NULL,
  can_share INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'pending',
  created_at TEXT NOT NULL,
  updated_at TEXT,
  UNIQUE (image_id, member)
);
CREATE TABLE image_locations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  image_id TEXT NOT NULL REFERENCES images(id),
  value TEXT NOT NULL,
  meta_data TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL DEFAULT 'active',
  created_at TEXT NOT NULL,
  updated_at TEXT
);
`;

/** An image's tags in insertion order straight from an index (the list renders them in SQL, db/image-view-sql.ts). */
const TAGS_BY_IMAGE = `CREATE INDEX ix_image_tags_image_id ON image_tags(image_id, id, value);`;

export const GLANCE_MIGRATIONS: Migration[] = [
  { version: 1, description: "initial glance schema", up: INITIAL },
  { version: 2, description: "index image tags by image in insertion order", up: TAGS_BY_IMAGE },
];
