// Placeholder until the page is built.
import { PageTitle } from '../ui';

export default function Onboarding() {
  return <PageTitle>Onboarding</PageTitle>;
}
