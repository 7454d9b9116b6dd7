/** What a sample's `.expected.json` (next to it in samples/) says extraction must give. */
export interface Expected {
  agency: string | null;
  year: number | null;
  version: string | null;
  title: string | null;
  status: string;
  figures: Record<string, number | null>;
  fails: string[];
  notes?: string;
}
