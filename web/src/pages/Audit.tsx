// Placeholder until the page is built.
import { PageTitle } from '../ui';

export default function Audit() {
  return <PageTitle>Audit</PageTitle>;
}
