export declare const fakeSha: (n: number) => string;
export declare function makeLongMarketplace(dir: string, o?: { plugins?: number; commits?: number; descriptionBytes?: number }): string;
