/** Stage 4, plant each signal: oxygen cylinders, split consignments, the new route; one-line cases each. */
import { keyOf, type Drafter, type Route, type Slot } from './drafts.ts';
import { LOCATION_OF } from './mix.ts';
import { apportion } from './rng.ts';
import type { Background } from './background.ts';
import type { StoryPlan } from './story.ts';
import { STORY, type StoryPart } from './targets.ts';

function plant(d: Drafter, s: Slot, part: StoryPart, product: string, concealment: string, route: Route, transport: string): void {
  const rng = d.rng;
  const caseRef = d.newCase(s);
  const draft = d.line(s, caseRef, 1, { ...d.caseContext(s, route), transport }, product, concealment);
  draft.row.location_type = LOCATION_OF[transport] ?? 'other';
  if (part === 'route') {
    draft.row.direction = s.member.code === route.destination ? 'import' : 'transit';
    draft.row.detection_method = rng.pick(['x_ray', 'detector_dog', 'intelligence']);
    draft.row.infringement_type = rng.pick(['unauthorised', 'falsified']);
  }
  d.planted.set(keyOf(draft.row), part);
  s.cases.push([draft]);
}

/** The story's lines of one phase (after its background lines). */
export function plantPhase(d: Drafter, bg: Background, story: StoryPlan, corridor: readonly string[], pi: number): void {
  const rng = d.rng;
  const slotOf = (code: string, phaseIndex: number) => bg.slots.find((s) => s.member.code === code && s.phaseIndex === phaseIndex)!;
  // Oxygen cylinders: the Members' own routes, concealments seen for them in phase 1.
  apportion(story.oxygenLines[pi]!, story.oxygenAt[pi]!.map(() => 1)).forEach((n, k) => {
    const s = slotOf(story.oxygenAt[pi]![k]!, pi);
    for (let j = 0; j < n; j++) {
      const transport = rng.weighted({ sea: 4, air_cargo: 3, road: 2, express_courier: 1 });
      const options = pi === 0 ? ['none', 'misdescribed'] : [...(d.seenConcealment.get(STORY.oxygen.product) ?? new Set(['none']))].sort();
      const concealment = pi === 0 ? options[j % 2]! : rng.pick(options);
      if (pi === 0) d.seenConcealment.set(STORY.oxygen.product, (d.seenConcealment.get(STORY.oxygen.product) ?? new Set()).add(concealment));
      plant(d, s, 'oxygen', STORY.oxygen.product, concealment, rng.pick(bg.routesOf.get(s.member.code)!), transport);
    }
  });
  // Split consignments: spreading Member to Member, by post and express courier.
  apportion(story.concLines[pi]!, story.concAt[pi]!.map(() => 1)).forEach((n, k) => {
    const s = slotOf(story.concAt[pi]![k]!, pi);
    const products = STORY.concealment.products[pi]!;
    for (let j = 0; j < n; j++) {
      const imports = bg.routesOf.get(s.member.code)!.filter((r) => r.direction === 'import');
      const route = imports.length ? rng.pick(imports) : rng.pick(bg.routesOf.get(s.member.code)!);
      plant(d, s, 'concealment', products[j % products.length]!, STORY.concealment.method, route, rng.pick(['postal', 'express_courier']));
    }
  });
  // The new route, seized along the corridor.
  if (pi === STORY.route.phase && corridor.length) {
    const [origin, ...rest] = STORY.route.corridor;
    const route: Route = { direction: 'import', origin: origin!, departure: origin!, transit: rest.slice(0, -1), destination: rest[rest.length - 1]! };
    apportion(story.routeLines, corridor.map(() => 1)).forEach((n, k) => {
      const s = slotOf(corridor[k]!, pi);
      for (let j = 0; j < n; j++) plant(d, s, 'route', STORY.route.products[j % STORY.route.products.length]!, 'vehicle_cavity', route, 'road');
    });
  }
}
